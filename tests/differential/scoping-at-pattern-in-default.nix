(a@{ b ? a.c, c }: b) { c = 7; }
