placeholder 1
