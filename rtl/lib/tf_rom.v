// tf_rom: a read-only table of 2^AW entries of DW bits. REG = 0: read combinationally (LUT logic on an
// FPGA); REG = 1: the entry of the address is registered at the clock edge while en is high (the form block
// RAMs have, so synthesis can use one). The entries come from FILE (one hexadecimal entry per line,
// $readmemh), a file next to the design; simulators and yosys read it relative to the directory they run in
// (the generated verify scripts and --synth run in the rtl folder).
`default_nettype none
module tf_rom #(
    parameter integer AW = 4, parameter integer DW = 8, parameter integer REG = 0,
    parameter FILE = ""
) (
    /* verilator lint_off UNUSEDSIGNAL */  // (clk and en: only with REG = 1)
    input  wire clk,
    input  wire en,
    /* verilator lint_on UNUSEDSIGNAL */
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
    if (REG != 0) begin : sync
      reg [DW-1:0] q;
      always @(posedge clk) if (en) q <= mem[addr];
      assign data = q;
    end else begin : comb
      assign data = mem[addr];
    end
  endgenerate
endmodule
`default_nettype wire
