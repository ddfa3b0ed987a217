"""Daily briefings: drafts assembled each morning, edited by researchers, published immutably."""
