builtins.toXML {
  unicode = "é ✓ <tag> & 'q' \"d\"";
  control = "a\nb\tc";
  floats = [
    0.1
    1.0e20
    (1.0 / 3)
    (-0.0)
  ];
  lambdaAt = args@{ x, y ? 1 }: x;
  lambdaPlain = x: x;
  primop = builtins.map;
  nested = {
    deeper = [ [ ] { } ];
  };
  path = ./lib/text.txt;
  ints = [
    (-1)
    9223372036854775807
  ];
}
