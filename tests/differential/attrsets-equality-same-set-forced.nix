let s = { a = throw "forced"; }; in s == s
