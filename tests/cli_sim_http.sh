#!/usr/bin/env bash
# cli_sim.sh over NapCat's HTTP API: every subcommand as POST /<action>,
# `onebot events` on the SSE stream (GET /_events), and its reconnect.
exec bash "$(dirname "${BASH_SOURCE[0]}")/cli_sim.sh" "${1:?usage: cli_sim_http.sh BUILD_DIR}" http
