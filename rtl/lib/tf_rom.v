// tf_rom: a read-only table of 2^AW entries of DW bits, read combinationally (LUT logic on an FPGA). The
// entries come from FILE (one hexadecimal entry per line, $readmemh), a file next to the design; simulators
// and yosys read it relative to the directory they run in (the generated verify scripts and --synth run in
// the rtl folder).
`default_nettype none
module tf_rom #(
    parameter integer AW = 4, parameter integer DW = 8,
    parameter FILE = ""
) (
    input  wire [AW-1:0] addr,
    output wire [DW-1:0] data
);
  /* verilator lint_off UNDRIVEN */  // (only without FILE)
  reg [DW-1:0] mem [0:(1 << AW) - 1];
  /* verilator lint_on UNDRIVEN */
  generate
    if (FILE != "") begin : load  // (no file: a module elaborated with its defaults, never instantiated so)
      initial $readmemh(FILE, mem);
    end
  endgenerate
  assign data = mem[addr];
endmodule
`default_nettype wire
