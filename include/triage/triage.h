/**
 * @file triage/triage.h
 * @brief Umbrella header: include this to use libtriage.
 */
#ifndef TRIAGE_TRIAGE_H
#define TRIAGE_TRIAGE_H

#include <triage/common.h>
#include <triage/version.h>
#include <triage/date.h>
#include <triage/id.h>

#endif /* TRIAGE_TRIAGE_H */
