# Division by a literal zero.
(x: x / 0) 5
