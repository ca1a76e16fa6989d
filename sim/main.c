/* onebot-sim: the simulator as a program (see docs/simulator.md). */
#include "sim.h"

int main(int argc, char **argv) { return ob_sim_main(argc, argv); }
