{
  "or" = 1;
  "and" = 2;
  "null" = 3;
}
