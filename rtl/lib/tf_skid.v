// tf_skid: a valid/ready skid buffer (a register slice with bypass). in_ready is a register output, so the
// consumer's ready does not reach the producer combinationally, and no latency is added: while the buffer is
// empty the input passes straight through; an input offered while the consumer is not ready is held in the
// buffer, and in_ready stays low until the consumer has taken it.
`default_nettype none
module tf_skid #(
    parameter integer W = 8
) (
    input  wire clk,
    input  wire rst,
    input  wire in_valid,
    output wire in_ready,
    input  wire [W-1:0] in_data,
    output wire out_valid,
    input  wire out_ready,
    output wire [W-1:0] out_data
);
  reg full;
  reg [W-1:0] held;
  assign in_ready = !full;
  assign out_valid = full || in_valid;
  assign out_data = full ? held : in_data;
  always @(posedge clk)
    if (rst) full <= 1'b0;
    else if (full) begin
      if (out_ready) full <= 1'b0;
    end else if (in_valid && !out_ready) full <= 1'b1;
  always @(posedge clk) if (!full) held <= in_data;
endmodule
`default_nettype wire
