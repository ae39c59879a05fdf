// SPDX-License-Identifier: GPL-2.0-only
/* Instantiates the simgpu tracepoints declared in simgpu_trace.h. */
#include <linux/kernel.h>
#include <linux/string.h>

#define CREATE_TRACE_POINTS
#include "simgpu_trace.h"
