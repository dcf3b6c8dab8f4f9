{
  ${null} = 1;
  a = 2;
  b.${null} = 3;
}
