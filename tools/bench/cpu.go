package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The machine is shared: the load generator runs beside the server, and
// other programs may run too. cpuSnapshot reads, from /proc, the CPU time
// used so far by the server, by this process (the load generator) and by
// the whole machine, so that a measurement can say where the CPU went.
type cpuSnapshot struct {
	at                   time.Time
	server, self, global time.Duration // user+system time
}

// clockTick is USER_HZ, the unit of /proc CPU times: 100 on Linux.
const clockTick = 10 * time.Millisecond

func takeCPU(serverPID int) cpuSnapshot {
	return cpuSnapshot{at: time.Now(), server: procCPU(serverPID), self: procCPU(os.Getpid()), global: machineBusy()}
}

// procCPU is utime+stime of a process (fields 14 and 15 of /proc/PID/stat).
func procCPU(pid int) time.Duration { return procStat(pid, false) }

// procStat returns utime+stime of a process, plus cutime+cstime (its
// children that have been waited for) when withChildren is set.
func procStat(pid int, withChildren bool) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields count from after it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 15 {
		return 0
	}
	fields := f[11:13]
	if withChildren {
		fields = f[11:15]
	}
	var ticks int64
	for _, v := range fields {
		n, _ := strconv.ParseInt(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * clockTick
}

// othersMeter measures the share of the machine's CPUs used by programs
// other than this one and its children that have ended (the servers timed
// at start-up).
type othersMeter struct {
	at               time.Time
	mine, self, busy time.Duration
}

func startOthersMeter() othersMeter {
	return othersMeter{at: time.Now(), mine: procStat(os.Getpid(), true), self: procCPU(os.Getpid()), busy: machineBusy()}
}

// children is the CPU time of the children that ended since the snapshot.
func (m othersMeter) children() time.Duration {
	return (procStat(os.Getpid(), true) - procStat(os.Getpid(), false)) - (m.mine - m.self)
}

func (m othersMeter) share() float64 {
	others := (machineBusy() - m.busy) - (procStat(os.Getpid(), true) - m.mine)
	return max(0, others.Seconds()) / (float64(runtime.NumCPU()) * time.Since(m.at).Seconds())
}

// machineBusy is the non-idle time of all CPUs (first line of /proc/stat:
// everything but idle and iowait; guest time is already within user).
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var busy int64
	for i := 1; i < len(f) && i <= 8; i++ {
		if i == 4 || i == 5 {
			continue
		}
		n, _ := strconv.ParseInt(f[i], 10, 64)
		busy += n
	}
	return time.Duration(busy) * clockTick
}

// cpuUse is what happened between two snapshots.
type cpuUse struct {
	wall, server, self, others time.Duration
}

func (a cpuSnapshot) to(b cpuSnapshot) cpuUse {
	u := cpuUse{wall: b.at.Sub(a.at), server: b.server - a.server, self: b.self - a.self}
	u.others = max(0, (b.global-a.global)-u.server-u.self)
	return u
}
