"""REST v2: The five discount families (category, product, order total, shipping, free trial)."""
