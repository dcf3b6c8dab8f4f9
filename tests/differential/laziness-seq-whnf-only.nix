builtins.seq {
  a = throw "inside";
} (builtins.seq [ (throw "elem") ] "done")
