# Integer overflow in an addition of a literal.
(x: x + 1) 9223372036854775807
