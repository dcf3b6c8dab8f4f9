"${ { __toString = s: 1; } }"
