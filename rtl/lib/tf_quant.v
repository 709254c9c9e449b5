// tf_quant: converts a fixed-point value into another format, exactly as tinyforge's fixed-point types do
// (hls/include/tinyforge/hls/fixed.h): quantization QMODE on the dropped fraction bits, then overflow OMODE
// into OW bits. Combinational.
//   input:  IW bits, IF fraction bits, IS = 1 signed
//   output: OW bits, OF fraction bits, OS = 1 signed
//   QMODE: 0 TRN, 1 TRN_ZERO, 2 RND, 3 RND_ZERO, 4 RND_MIN_INF, 5 RND_INF, 6 RND_CONV
//   OMODE: 0 WRAP, 1 SAT, 2 SAT_ZERO, 3 SAT_SYM
`default_nettype none
module tf_quant #(
    parameter integer IW = 16, parameter integer IF = 8, parameter integer IS = 1,
    parameter integer OW = 8, parameter integer OF = 4, parameter integer OS = 1,
    parameter integer QMODE = 0, parameter integer OMODE = 0
) (
    input  wire [IW-1:0] din,
    output wire [OW-1:0] dout
);
  localparam integer S = IF - OF;                      // fraction bits dropped (> 0) or added (< 0)
  localparam integer SP = (S > 0) ? S : 0;
  localparam integer SN = (S < 0) ? -S : 0;
  // Quantized integer width: the input's integer bits, one more for rounding up, one more for an unsigned
  // input seen as signed; plus the added fraction bits.
  // Working width: the input as a signed number (IW + 1), the added fraction bits, one bit for rounding up,
  // and room to compare against the output's limits.
  localparam integer EW = (IW + SN + 3 > OW + 2) ? IW + SN + 3 : OW + 2;
  localparam [0:0] ISB = (IS != 0);
  localparam [0:0] OSB = (OS != 0);

  wire signed [IW:0] v = ISB ? {din[IW-1], din} : {1'b0, din};  // as a signed number

  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [EW-1:0] q;
  /* verilator lint_on UNUSEDSIGNAL */
  generate
    if (S > 0) begin : g_drop
      wire neg = v[IW];
      wire signed [IW:0] fl = v >>> S;                       // floor
      wire [SP-1:0] r = v[SP-1:0];
      wire r_nz = |r;
      wire r_ge_half = r[SP-1];
      wire r_gt_half;
      if (SP >= 2) begin : g_gt
        assign r_gt_half = r[SP-1] & (|r[(SP >= 2 ? SP-2 : 0):0]);
      end else begin : g_gt1
        assign r_gt_half = 1'b0;
      end
      wire r_half = r_ge_half & ~r_gt_half;
      wire up = (QMODE == 1) ? (neg & r_nz) :
                (QMODE == 2) ? r_ge_half :
                (QMODE == 3) ? (r_gt_half | (r_half & neg)) :
                (QMODE == 4) ? r_gt_half :
                (QMODE == 5) ? (r_gt_half | (r_half & ~neg)) :
                (QMODE == 6) ? (r_gt_half | (r_half & fl[0])) : 1'b0;
      assign q = $signed({{(EW-IW-1){fl[IW]}}, fl}) + $signed({{(EW-1){1'b0}}, up});
    end else if (S == 0) begin : g_same
      assign q = $signed({{(EW-IW-1){v[IW]}}, v});
    end else begin : g_add
      wire signed [IW+SN:0] sh = {v, {SN{1'b0}}};  // times 2^SN
      assign q = $signed({{(EW-IW-SN-1){sh[IW+SN]}}, sh});
    end
  endgenerate

  // Limits of the output format, in the working width.
  /* verilator lint_off UNUSEDSIGNAL */  // only the low OW bits of these reach the output
  wire signed [EW-1:0] hi = OSB ? $signed({{(EW-OW+1){1'b0}}, {(OW-1){1'b1}}}) : $signed({{(EW-OW){1'b0}}, {OW{1'b1}}});
  wire signed [EW-1:0] lo = OSB ? -hi - 1 : {EW{1'b0}};
  wire signed [EW-1:0] neg_hi = -hi;
  /* verilator lint_on UNUSEDSIGNAL */
  // Out of range: the bits above the output's top bit are not all copies of the sign (signed output), or not
  // all zero (unsigned). Reductions rather than magnitude comparisons, so no second carry chain.
  wire sgn = q[EW-1];
  wire over, under, at_lo;
  generate
    if (OS != 0) begin : g_os
      wire top_or = |q[EW-2:OW-1], top_and = &q[EW-2:OW-1];
      assign over = ~sgn & top_or;
      assign under = sgn & ~top_and;
      if (OW >= 2) begin : g_lo
        assign at_lo = sgn & top_and & ~(|q[(OW >= 2 ? OW-2 : 0):0]);  // q == -2^(OW-1)
      end else begin : g_lo1
        assign at_lo = sgn & top_and;
      end
    end else begin : g_ou
      assign over = ~sgn & (|q[EW-2:OW]);
      assign under = sgn;
      assign at_lo = 1'b0;
    end
  endgenerate
  reg [OW-1:0] res;
  always @* begin
    if (OMODE == 0) res = q[OW-1:0];                                   // WRAP
    else if (OMODE == 1) res = over ? hi[OW-1:0] : (under ? lo[OW-1:0] : q[OW-1:0]);
    else if (OMODE == 2) res = (over | under) ? {OW{1'b0}} : q[OW-1:0];
    else begin                                                         // SAT_SYM
      if (over) res = hi[OW-1:0];
      else if (under || at_lo) res = OSB ? neg_hi[OW-1:0] : {OW{1'b0}};
      else res = q[OW-1:0];
    end
  end
  assign dout = res;
endmodule
`default_nettype wire
