# Fails when the committed golden file differs from what the generator writes
# now: the schedule of DESIGN §7 must never change silently.
execute_process(COMMAND ${GEN} OUTPUT_VARIABLE now RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generator failed: ${rc}")
endif()
file(READ ${GOLDEN} committed)
if(NOT now STREQUAL committed)
  message(FATAL_ERROR "golden vectors changed: the leader schedule of DESIGN §7 differs from ${GOLDEN}")
endif()
message(STATUS "golden vectors unchanged")
