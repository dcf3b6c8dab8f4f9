with { };
x
