# `builtins.derivation`, written in Nix on top of `derivationStrict`.
#
# This is neve's own version of the file CppNix keeps inside itself under the
# same name. Error traces show lines of it (for example the selection of
# `outPath` below), so the lines that traces quote stay at the line numbers
# CppNix's file has them at: `strict` on line 36 and the output value on
# lines 48 to 50. Keep that in mind before adding or removing lines.
#
# - `derivationStrict` does the work: it checks the attributes, computes the
#   store derivation and its paths, and returns `drvPath` and one attribute
#   per output. It is called once, lazily, and shared by all outputs.
# - The result is the value for the first output in `outputs`. Every output
#   value carries the original attributes, one attribute per output (so
#   `drv.dev.out` works), `all` (every output value), `drvAttrs` (the
#   attributes as given), and its own `outPath`, `drvPath`, `type` and
#   `outputName`.
# - Nothing here forces an attribute that the caller does not ask for:
#   `drv.name` needs neither `derivationStrict` nor the other attributes.
# - Without an `outputs` attribute (the single output `out`, by far the
#   most common case), `derivationSingleOutput`, native code that only this
#   file sees, builds the same value in one step: the same attributes at
#   the positions they have below, the same thunks left unevaluated, the
#   same frames in traces (see `builtins/derivation_wrapper.rs`).
#
drvAttrs@{
  outputs ? [ "out" ],
  ...
}:
if !(drvAttrs ? outputs) then
  derivationSingleOutput drvAttrs
else
let
  # The store derivation, computed when a path is first needed and shared
  # by every output.

  strict = derivationStrict drvAttrs;

  commonAttrs =
    drvAttrs
    // (builtins.listToAttrs outputsList)
    // {
      all = map (x: x.value) outputsList;
      inherit drvAttrs;
    };

  outputToAttrListElement = outputName: {
    name = outputName;
    value = commonAttrs // {
      outPath = strict.${outputName};
      drvPath = strict.drvPath;
      type = "derivation";
      inherit outputName;
    };
  };

  outputsList = map outputToAttrListElement outputs;
in
(builtins.head outputsList).value
