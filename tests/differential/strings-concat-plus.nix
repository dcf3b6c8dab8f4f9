"a" + "b" + toString 1 + "" + "c"
