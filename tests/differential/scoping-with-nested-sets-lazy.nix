with { a = { b = 1; }; };
with a;
b
