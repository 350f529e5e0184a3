"""REST v2: Products, product categories and product interest bundles."""
