isNull (throw "forced")
