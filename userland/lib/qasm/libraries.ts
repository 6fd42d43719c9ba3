// The two includable gate libraries, as text the parser reads like a
// program's own definitions (their bytes made once, at the first include).
//
// qelib1.inc is Qiskit's file, whose gates are those of the OpenQASM 2.0
// paper's header plus u, p, sx, sxdg, cp, csx, cu, rxx, rzz, rccx, rc3x, c3x,
// c3sqrtx and c4x; each is expanded by its own definition here. Two of the
// file's definitions are mended as Qiskit's gate classes define them: its
// c3sqrtx (cu1(-pi/8) first) is the 3-controlled inverse of sqrt(X), and its
// c4x (h d; cu1(pi/4) d,e; h d in the middle) is no 4-controlled X; here
// c3sqrtx starts with cu1(pi/8) and c4x's middle is h e; cu1(-pi/2) d,e; h e.
//
// stdgates.inc holds the gates of OpenQASM 3's standard library, written with
// the matrices those gates have in Qiskit and the textbooks, global phase
// included (x is X, h is H, rx(θ) is exp(-iθX/2), u3 is U): the published
// file adds gphase(-π/2) to x and y, gphase(-θ/2) to rx and ry and builds s,
// t and sx with pow(0.5), which would make ctrl @ x differ from CX by a phase.

const QELIB1 = `// Quantum Experience (QE) Standard Header
// file: qelib1.inc
gate u3(theta,phi,lambda) q { U(theta,phi,lambda) q; }
gate u2(phi,lambda) q { U(pi/2,phi,lambda) q; }
gate u1(lambda) q { U(0,0,lambda) q; }
gate cx c,t { CX c,t; }
gate id a { U(0,0,0) a; }
gate u0(gamma) q { U(0,0,0) q; }
gate u(theta,phi,lambda) q { U(theta,phi,lambda) q; }
gate p(lambda) q { U(0,0,lambda) q; }
gate x a { u3(pi,0,pi) a; }
gate y a { u3(pi,pi/2,pi/2) a; }
gate z a { u1(pi) a; }
gate h a { u2(0,pi) a; }
gate s a { u1(pi/2) a; }
gate sdg a { u1(-pi/2) a; }
gate t a { u1(pi/4) a; }
gate tdg a { u1(-pi/4) a; }
gate rx(theta) a { u3(theta, -pi/2,pi/2) a; }
gate ry(theta) a { u3(theta,0,0) a; }
gate rz(phi) a { u1(phi) a; }
gate sx a { sdg a; h a; sdg a; }
gate sxdg a { s a; h a; s a; }
gate cz a,b { h b; cx a,b; h b; }
gate cy a,b { sdg b; cx a,b; s b; }
gate swap a,b { cx a,b; cx b,a; cx a,b; }
gate ch a,b { h b; sdg b; cx a,b; h b; t b; cx a,b; t b; h b; s b; x b; s a; }
gate ccx a,b,c { h c; cx b,c; tdg c; cx a,c; t c; cx b,c; tdg c; cx a,c; t b; t c; h c; cx a,b; t a; tdg b; cx a,b; }
gate cswap a,b,c { cx c,b; ccx a,b,c; cx c,b; }
gate crx(lambda) a,b { u1(pi/2) b; cx a,b; u3(-lambda/2,0,0) b; cx a,b; u3(lambda/2,-pi/2,0) b; }
gate cry(lambda) a,b { u3(lambda/2,0,0) b; cx a,b; u3(-lambda/2,0,0) b; cx a,b; }
gate crz(lambda) a,b { u1(lambda/2) b; cx a,b; u1(-lambda/2) b; cx a,b; }
gate cu1(lambda) a,b { u1(lambda/2) a; cx a,b; u1(-lambda/2) b; cx a,b; u1(lambda/2) b; }
gate cp(lambda) a,b { p(lambda/2) a; cx a,b; p(-lambda/2) b; cx a,b; p(lambda/2) b; }
gate cu3(theta,phi,lambda) c, t { u1((lambda+phi)/2) c; u1((lambda-phi)/2) t; cx c,t; u3(-theta/2,0,-(phi+lambda)/2) t; cx c,t; u3(theta/2,phi,0) t; }
gate csx a,b { h b; cu1(pi/2) a,b; h b; }
gate cu(theta,phi,lambda,gamma) c, t { p(gamma) c; p((lambda+phi)/2) c; p((lambda-phi)/2) t; cx c,t; u(-theta/2,0,-(phi+lambda)/2) t; cx c,t; u(theta/2,phi,0) t; }
gate rxx(theta) a,b { u3(pi/2, theta, 0) a; h b; cx a,b; u1(-theta) b; cx a,b; h b; u2(-pi, pi-theta) a; }
gate rzz(theta) a,b { cx a,b; u1(theta) b; cx a,b; }
gate rccx a,b,c { u2(0,pi) c; u1(pi/4) c; cx b, c; u1(-pi/4) c; cx a, c; u1(pi/4) c; cx b, c; u1(-pi/4) c; u2(0,pi) c; }
gate rc3x a,b,c,d { u2(0,pi) d; u1(pi/4) d; cx c,d; u1(-pi/4) d; u2(0,pi) d; cx a,d; u1(pi/4) d; cx b,d; u1(-pi/4) d; cx a,d; u1(pi/4) d; cx b,d; u1(-pi/4) d; u2(0,pi) d; u1(pi/4) d; cx c,d; u1(-pi/4) d; u2(0,pi) d; }
gate c3x a,b,c,d { h d; cu1(-pi/4) a,d; h d; cx a,b; h d; cu1(pi/4) b,d; h d; cx a,b; h d; cu1(-pi/4) b,d; h d; cx b,c; h d; cu1(pi/4) c,d; h d; cx a,c; h d; cu1(-pi/4) c,d; h d; cx b,c; h d; cu1(pi/4) c,d; h d; cx a,c; h d; cu1(-pi/4) c,d; h d; }
gate c3sqrtx a,b,c,d { h d; cu1(pi/8) a,d; h d; cx a,b; h d; cu1(-pi/8) b,d; h d; cx a,b; h d; cu1(pi/8) b,d; h d; cx b,c; h d; cu1(-pi/8) c,d; h d; cx a,c; h d; cu1(pi/8) c,d; h d; cx b,c; h d; cu1(-pi/8) c,d; h d; cx a,c; h d; cu1(pi/8) c,d; h d; }
gate c4x a,b,c,d,e { h e; cu1(pi/2) d,e; h e; c3x a,b,c,d; h e; cu1(-pi/2) d,e; h e; c3x a,b,c,d; c3sqrtx a,b,c,e; }
`;

const STDGATES = `// OpenQASM 3 standard gate library: stdgates.inc
gate p(l) a { U(0, 0, l) a; }
gate x a { U(pi, 0, pi) a; }
gate y a { U(pi, pi/2, pi/2) a; }
gate z a { U(0, 0, pi) a; }
gate h a { U(pi/2, 0, pi) a; }
gate s a { U(0, 0, pi/2) a; }
gate sdg a { U(0, 0, -pi/2) a; }
gate t a { U(0, 0, pi/4) a; }
gate tdg a { U(0, 0, -pi/4) a; }
gate sx a { gphase(pi/4); U(pi/2, -pi/2, pi/2) a; }
gate rx(t) a { U(t, -pi/2, pi/2) a; }
gate ry(t) a { U(t, 0, 0) a; }
gate rz(l) a { gphase(-l/2); U(0, 0, l) a; }
gate cx a, b { ctrl @ x a, b; }
gate cy a, b { ctrl @ y a, b; }
gate cz a, b { ctrl @ z a, b; }
gate cp(l) a, b { ctrl @ p(l) a, b; }
gate crx(t) a, b { ctrl @ rx(t) a, b; }
gate cry(t) a, b { ctrl @ ry(t) a, b; }
gate crz(t) a, b { ctrl @ rz(t) a, b; }
gate ch a, b { ctrl @ h a, b; }
gate swap a, b { cx a, b; cx b, a; cx a, b; }
gate ccx a, b, c { ctrl @ ctrl @ x a, b, c; }
gate cswap a, b, c { ctrl @ swap a, b, c; }
gate cu(t, f, l, g) a, b { p(g) a; ctrl @ U(t, f, l) a, b; }
gate CX a, b { ctrl @ U(pi, 0, pi) a, b; }
gate phase(l) q { U(0, 0, l) q; }
gate cphase(l) a, b { ctrl @ phase(l) a, b; }
gate id a { U(0, 0, 0) a; }
gate u1(l) q { U(0, 0, l) q; }
gate u2(f, l) q { U(pi/2, f, l) q; }
gate u3(t, f, l) q { U(t, f, l) q; }
`;

let qelib1: ArrayBuffer | null = null;
let stdgates: ArrayBuffer | null = null;

export function qelib1Text(): ArrayBuffer {
  let b = qelib1;
  if (b === null) { b = String.UTF8.encode(QELIB1); qelib1 = b; }
  return b;
}

export function stdgatesText(): ArrayBuffer {
  let b = stdgates;
  if (b === null) { b = String.UTF8.encode(STDGATES); stdgates = b; }
  return b;
}
