{
  a.b.c.d.e.f = 1;
  a.b.c.d.g = 2;
  a.h = 3;
}
