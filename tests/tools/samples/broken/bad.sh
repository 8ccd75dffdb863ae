#!/bin/bash
# BROKEN on purpose (shellcheck): unquoted variable expansions, `cd` without a failure check
DEST=$1
cd $DEST
rm -rf $DEST/*
