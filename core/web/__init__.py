"""Web shell: tenant resolution, templates through the theme chain, i18n, forms, menus, errors."""
