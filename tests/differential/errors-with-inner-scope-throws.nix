with { z = 1; };
with (throw "inner scope searched first");
z
