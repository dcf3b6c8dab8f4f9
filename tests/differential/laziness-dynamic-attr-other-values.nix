({
  ${"a" + "b"} = 1;
  c = throw "c";
}).ab
