"""The bundled retention plans (gallringsplaner), one TOML file per version."""
