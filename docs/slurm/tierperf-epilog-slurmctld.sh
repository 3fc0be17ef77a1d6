#!/bin/sh
# tierperf-epilog-slurmctld.sh: an EpilogSlurmctld that judges every
# finished tierperf-tiers job (docs/slurm/tierperf-tiers.sbatch) with
# `tierperf check` and records the verdict.  slurm.conf:
#
#   EpilogSlurmctld=/etc/slurm/tierperf-epilog-slurmctld.sh
#
# slurmctld runs it on the controller when any job ends, with SLURM_JOB_ID
# and SLURM_JOB_NAME set and no PATH: full paths below.  It writes
# RESULTS/tiers-JOBID.check.txt (check's output) and one line per judged
# job to RESULTS/checks.log ("JOBID PASS|FAIL|INCOMPLETE|BAD FILE";
# INCOMPLETE: a threshold could not be judged, see docs/answers.md), and always exits
# 0: the verdict is for the operator (or a script that drains nodes), not a
# reason to fail the epilog.  CI runs this very file (tests/e2e/test_slurm.sh)
# with the three settings below replaced.
TIERPERF=/usr/local/bin/tierperf
RESULTS=/shared/tierperf-results
PROFILE=sme-production

[ "${SLURM_JOB_NAME:-}" = tierperf-tiers ] || exit 0
case "${SLURM_JOB_ID:-}" in ''|*[!0-9]*) exit 0 ;; esac
f="$RESULTS/tiers-$SLURM_JOB_ID.json"
[ -f "$f" ] || exit 0
"$TIERPERF" check "$f" --profile "$PROFILE" >"$RESULTS/tiers-$SLURM_JOB_ID.check.txt" 2>&1
case $? in
    0) verdict=PASS ;;
    1) verdict=FAIL ;;
    3) verdict=INCOMPLETE ;;
    *) verdict="BAD FILE" ;;
esac
echo "$SLURM_JOB_ID $verdict $f" >>"$RESULTS/checks.log"
exit 0
