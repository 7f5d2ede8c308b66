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
#include <triage/calendar.h>
#include <triage/urgency.h>
#include <triage/deadline.h>
#include <triage/classify.h>
#include <triage/engine.h>
#include <triage/assign.h>
#include <triage/report.h>
#include <triage/social.h>
#include <triage/sim.h>

#endif /* TRIAGE_TRIAGE_H */
