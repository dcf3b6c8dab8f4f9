toString {
  __toString = self: "hi ${self.x}";
  x = "there";
}
