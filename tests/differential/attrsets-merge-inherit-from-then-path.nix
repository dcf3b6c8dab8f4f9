{
  a = {
    inherit ({ x = 1; }) x;
  };
  a.y = 2;
}
