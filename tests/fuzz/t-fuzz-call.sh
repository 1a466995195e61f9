#!/bin/sh
exec sh "$top_srcdir/tests/fuzz/run-fuzz.sh" call
