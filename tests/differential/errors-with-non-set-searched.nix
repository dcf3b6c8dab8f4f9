with { y = 2; };
with 1;
y
