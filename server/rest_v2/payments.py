"""REST v2: Payment methods and their configs, merchants, sales and shipping."""
