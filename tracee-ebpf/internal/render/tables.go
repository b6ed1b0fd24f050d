package render

import (
	"fmt"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
)

// formats maps the Param.Format names used by the event schema to renderers.
var formats = map[string]format{
	"open_flags":     {flags: openFlags},
	"access_mode":    {flags: accessMode},
	"at_flags":       {flags: atFlags},
	"dirfd":          {enum: &enumFormat{names: map[int64]string{-100: "AT_FDCWD"}}},
	"prot":           {flags: protFlags},
	"mmap_flags":     {flags: mmapFlags},
	"ptrace_request": {enum: &enumFormat{names: valuesOf(ptraceRequests)}},
	"socket_domain":  {enum: &enumFormat{names: enumOf(addressFamilies)}},
	"socket_type":    {flags: socketType},
	"clone_flags":    {flags: cloneFlags},
	"signal":         {enum: &enumFormat{names: enumOf(signals), fallback: realtimeSignal}},
	"prctl_option":   {enum: &enumFormat{names: valuesOf(prctlOptions)}},
	"fcntl_cmd":      {enum: &enumFormat{names: valuesOf(fcntlCmds)}},
	"capability":     {enum: &enumFormat{names: enumOf(capabilities)}},
	"mem_prot_alert": {enum: &enumFormat{names: enumOf(memProtAlerts)}},
	// hooked_proc_fops: the mismatching pointers by the function they should hold
	"proc_fops_pointers": {flags: procFopsPointers()},
}

func procFopsPointers() *flagFormat {
	var fl []flag
	for i, p := range abi.ProcFopsPointers {
		fl = append(fl, flag{1 << i, p.Symbol})
	}
	return newFlags("", nil, fl)
}

var openFlags = newFlags("", &field{mask: 0x3, names: map[uint64]string{
	0: "O_RDONLY", 1: "O_WRONLY", 2: "O_RDWR", 3: "O_ACCMODE",
}}, []flag{
	{0o100, "O_CREAT"},
	{0o200, "O_EXCL"},
	{0o400, "O_NOCTTY"},
	{0o1000, "O_TRUNC"},
	{0o2000, "O_APPEND"},
	{0o4000, "O_NONBLOCK"},
	{0o4010000, "O_SYNC"}, // __O_SYNC|O_DSYNC
	{0o10000, "O_DSYNC"},
	{0o20000, "FASYNC"},
	{0o40000, "O_DIRECT"},
	{0o100000, "O_LARGEFILE"},
	{0o20200000, "O_TMPFILE"}, // __O_TMPFILE|O_DIRECTORY
	{0o200000, "O_DIRECTORY"},
	{0o400000, "O_NOFOLLOW"},
	{0o1000000, "O_NOATIME"},
	{0o2000000, "O_CLOEXEC"},
	{0o10000000, "O_PATH"},
})

var accessMode = newFlags("F_OK", nil, []flag{
	{4, "R_OK"},
	{2, "W_OK"},
	{1, "X_OK"},
})

var atFlags = newFlags("", nil, []flag{
	{0x100, "AT_SYMLINK_NOFOLLOW"},
	{0x200, "AT_REMOVEDIR"}, // also AT_EACCESS for faccessat2
	{0x400, "AT_SYMLINK_FOLLOW"},
	{0x800, "AT_NO_AUTOMOUNT"},
	{0x1000, "AT_EMPTY_PATH"},
	{0x2000, "AT_STATX_FORCE_SYNC"},
	{0x4000, "AT_STATX_DONT_SYNC"},
	{0x8000, "AT_RECURSIVE"},
})

var protFlags = newFlags("PROT_NONE", nil, []flag{
	{0x1, "PROT_READ"},
	{0x2, "PROT_WRITE"},
	{0x4, "PROT_EXEC"},
	{0x8, "PROT_SEM"},
	{0x01000000, "PROT_GROWSDOWN"},
	{0x02000000, "PROT_GROWSUP"},
})

var mmapFlags = newFlags("", &field{mask: 0xf, names: map[uint64]string{
	0: "", 1: "MAP_SHARED", 2: "MAP_PRIVATE", 3: "MAP_SHARED_VALIDATE", 0xf: "MAP_TYPE",
}}, []flag{
	{0x10, "MAP_FIXED"},
	{0x20, "MAP_ANONYMOUS"},
	{0x40, "MAP_32BIT"},
	{0x100, "MAP_GROWSDOWN"},
	{0x800, "MAP_DENYWRITE"},
	{0x1000, "MAP_EXECUTABLE"},
	{0x2000, "MAP_LOCKED"},
	{0x4000, "MAP_NORESERVE"},
	{0x8000, "MAP_POPULATE"},
	{0x10000, "MAP_NONBLOCK"},
	{0x20000, "MAP_STACK"},
	{0x40000, "MAP_HUGETLB"},
	{0x80000, "MAP_SYNC"},
	{0x100000, "MAP_FIXED_NOREPLACE"},
})

var socketTypes = map[uint64]string{
	0: "", 1: "SOCK_STREAM", 2: "SOCK_DGRAM", 3: "SOCK_RAW", 4: "SOCK_RDM",
	5: "SOCK_SEQPACKET", 6: "SOCK_DCCP", 10: "SOCK_PACKET",
}

var socketType = newFlags("", &field{mask: 0xf, names: socketTypes}, []flag{
	{0o4000, "SOCK_NONBLOCK"},
	{0o2000000, "SOCK_CLOEXEC"},
})

// cloneFlags: the low byte (CSIGNAL) is the exit signal.
var cloneFlags = newFlags("", &field{mask: 0xff, names: signalField()}, []flag{
	{0x100, "CLONE_VM"},
	{0x200, "CLONE_FS"},
	{0x400, "CLONE_FILES"},
	{0x800, "CLONE_SIGHAND"},
	{0x1000, "CLONE_PIDFD"},
	{0x2000, "CLONE_PTRACE"},
	{0x4000, "CLONE_VFORK"},
	{0x8000, "CLONE_PARENT"},
	{0x10000, "CLONE_THREAD"},
	{0x20000, "CLONE_NEWNS"},
	{0x40000, "CLONE_SYSVSEM"},
	{0x80000, "CLONE_SETTLS"},
	{0x100000, "CLONE_PARENT_SETTID"},
	{0x200000, "CLONE_CHILD_CLEARTID"},
	{0x400000, "CLONE_DETACHED"},
	{0x800000, "CLONE_UNTRACED"},
	{0x1000000, "CLONE_CHILD_SETTID"},
	{0x2000000, "CLONE_NEWCGROUP"},
	{0x4000000, "CLONE_NEWUTS"},
	{0x8000000, "CLONE_NEWIPC"},
	{0x10000000, "CLONE_NEWUSER"},
	{0x20000000, "CLONE_NEWPID"},
	{0x40000000, "CLONE_NEWNET"},
	{0x80000000, "CLONE_IO"},
	{0x100000000, "CLONE_CLEAR_SIGHAND"},
	{0x200000000, "CLONE_INTO_CGROUP"},
	{0x400000000, "CLONE_NEWTIME"},
})

// signalField names the exit-signal byte of clone flags; 0 prints nothing.
func signalField() map[uint64]string {
	m := map[uint64]string{0: ""}
	for i := 1; i < 65; i++ {
		if n := signalName(int64(i)); n != "" {
			m[uint64(i)] = n
		}
	}
	return m
}

func signalName(v int64) string {
	if v >= 0 && v < int64(len(signals)) && signals[v] != "" {
		return signals[v]
	}
	return realtimeSignal(v)
}

// realtimeSignal names the kernel's real-time signals 32..64.
func realtimeSignal(v int64) string {
	switch {
	case v == 32:
		return "SIGRTMIN"
	case v > 32 && v <= 64:
		return fmt.Sprintf("SIGRTMIN+%d", v-32)
	}
	return ""
}

var signals = []string{
	"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
}

// addressFamilies is indexed by AF_* value.
var addressFamilies = []string{
	"AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_AX25", "AF_IPX", "AF_APPLETALK", "AF_NETROM",
	"AF_BRIDGE", "AF_ATMPVC", "AF_X25", "AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI",
	"AF_SECURITY", "AF_KEY", "AF_NETLINK", "AF_PACKET", "AF_ASH", "AF_ECONET", "AF_ATMSVC",
	"AF_RDS", "AF_SNA", "AF_IRDA", "AF_PPPOX", "AF_WANPIPE", "AF_LLC", "AF_IB", "AF_MPLS",
	"AF_CAN", "AF_TIPC", "AF_BLUETOOTH", "AF_IUCV", "AF_RXRPC", "AF_ISDN", "AF_PHONET",
	"AF_IEEE802154", "AF_CAIF", "AF_ALG", "AF_NFC", "AF_VSOCK", "AF_KCM", "AF_QIPCRTR",
	"AF_SMC", "AF_XDP", "AF_MCTP",
}

var ptraceRequests = []named{
	{0, "PTRACE_TRACEME"},
	{1, "PTRACE_PEEKTEXT"},
	{2, "PTRACE_PEEKDATA"},
	{3, "PTRACE_PEEKUSR"},
	{4, "PTRACE_POKETEXT"},
	{5, "PTRACE_POKEDATA"},
	{6, "PTRACE_POKEUSR"},
	{7, "PTRACE_CONT"},
	{8, "PTRACE_KILL"},
	{9, "PTRACE_SINGLESTEP"},
	{12, "PTRACE_GETREGS"},
	{13, "PTRACE_SETREGS"},
	{14, "PTRACE_GETFPREGS"},
	{15, "PTRACE_SETFPREGS"},
	{16, "PTRACE_ATTACH"},
	{17, "PTRACE_DETACH"},
	{18, "PTRACE_GETFPXREGS"},
	{19, "PTRACE_SETFPXREGS"},
	{24, "PTRACE_SYSCALL"},
	{25, "PTRACE_GET_THREAD_AREA"},
	{26, "PTRACE_SET_THREAD_AREA"},
	{30, "PTRACE_ARCH_PRCTL"},
	{31, "PTRACE_SYSEMU"},
	{32, "PTRACE_SYSEMU_SINGLESTEP"},
	{33, "PTRACE_SINGLEBLOCK"},
	{0x4200, "PTRACE_SETOPTIONS"},
	{0x4201, "PTRACE_GETEVENTMSG"},
	{0x4202, "PTRACE_GETSIGINFO"},
	{0x4203, "PTRACE_SETSIGINFO"},
	{0x4204, "PTRACE_GETREGSET"},
	{0x4205, "PTRACE_SETREGSET"},
	{0x4206, "PTRACE_SEIZE"},
	{0x4207, "PTRACE_INTERRUPT"},
	{0x4208, "PTRACE_LISTEN"},
	{0x4209, "PTRACE_PEEKSIGINFO"},
	{0x420a, "PTRACE_GETSIGMASK"},
	{0x420b, "PTRACE_SETSIGMASK"},
	{0x420c, "PTRACE_SECCOMP_GET_FILTER"},
	{0x420d, "PTRACE_SECCOMP_GET_METADATA"},
	{0x420e, "PTRACE_GET_SYSCALL_INFO"},
	{0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"},
	{0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"},
	{0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"},
	{0x4212, "PTRACE_SET_SYSCALL_INFO"},
}

var prctlOptions = []named{
	{1, "PR_SET_PDEATHSIG"}, {2, "PR_GET_PDEATHSIG"}, {3, "PR_GET_DUMPABLE"},
	{4, "PR_SET_DUMPABLE"}, {5, "PR_GET_UNALIGN"}, {6, "PR_SET_UNALIGN"},
	{7, "PR_GET_KEEPCAPS"}, {8, "PR_SET_KEEPCAPS"}, {9, "PR_GET_FPEMU"}, {10, "PR_SET_FPEMU"},
	{11, "PR_GET_FPEXC"}, {12, "PR_SET_FPEXC"}, {13, "PR_GET_TIMING"}, {14, "PR_SET_TIMING"},
	{15, "PR_SET_NAME"}, {16, "PR_GET_NAME"}, {19, "PR_GET_ENDIAN"}, {20, "PR_SET_ENDIAN"},
	{21, "PR_GET_SECCOMP"}, {22, "PR_SET_SECCOMP"}, {23, "PR_CAPBSET_READ"},
	{24, "PR_CAPBSET_DROP"}, {25, "PR_GET_TSC"}, {26, "PR_SET_TSC"},
	{27, "PR_GET_SECUREBITS"}, {28, "PR_SET_SECUREBITS"}, {29, "PR_SET_TIMERSLACK"},
	{30, "PR_GET_TIMERSLACK"}, {31, "PR_TASK_PERF_EVENTS_DISABLE"},
	{32, "PR_TASK_PERF_EVENTS_ENABLE"}, {33, "PR_MCE_KILL"}, {34, "PR_MCE_KILL_GET"},
	{35, "PR_SET_MM"}, {36, "PR_SET_CHILD_SUBREAPER"}, {37, "PR_GET_CHILD_SUBREAPER"},
	{38, "PR_SET_NO_NEW_PRIVS"}, {39, "PR_GET_NO_NEW_PRIVS"}, {40, "PR_GET_TID_ADDRESS"},
	{41, "PR_SET_THP_DISABLE"}, {42, "PR_GET_THP_DISABLE"}, {43, "PR_MPX_ENABLE_MANAGEMENT"},
	{44, "PR_MPX_DISABLE_MANAGEMENT"}, {45, "PR_SET_FP_MODE"}, {46, "PR_GET_FP_MODE"},
	{47, "PR_CAP_AMBIENT"}, {50, "PR_SVE_SET_VL"}, {51, "PR_SVE_GET_VL"},
	{52, "PR_GET_SPECULATION_CTRL"}, {53, "PR_SET_SPECULATION_CTRL"},
	{54, "PR_PAC_RESET_KEYS"}, {55, "PR_SET_TAGGED_ADDR_CTRL"},
	{56, "PR_GET_TAGGED_ADDR_CTRL"}, {57, "PR_SET_IO_FLUSHER"}, {58, "PR_GET_IO_FLUSHER"},
	{59, "PR_SET_SYSCALL_USER_DISPATCH"}, {60, "PR_PAC_SET_ENABLED_KEYS"},
	{61, "PR_PAC_GET_ENABLED_KEYS"}, {62, "PR_SCHED_CORE"}, {63, "PR_SME_SET_VL"},
	{64, "PR_SME_GET_VL"}, {65, "PR_SET_MDWE"}, {66, "PR_GET_MDWE"},
	{67, "PR_SET_MEMORY_MERGE"}, {68, "PR_GET_MEMORY_MERGE"},
	{69, "PR_RISCV_V_SET_CONTROL"}, {70, "PR_RISCV_V_GET_CONTROL"},
	{71, "PR_RISCV_SET_ICACHE_FLUSH_CTX"}, {72, "PR_PPC_GET_DEXCR"}, {73, "PR_PPC_SET_DEXCR"},
	{74, "PR_GET_SHADOW_STACK_STATUS"}, {75, "PR_SET_SHADOW_STACK_STATUS"},
	{76, "PR_LOCK_SHADOW_STACK_STATUS"}, {77, "PR_TIMER_CREATE_RESTORE_IDS"},
	{78, "PR_FUTEX_HASH"},
	{0x53564d41, "PR_SET_VMA"}, {0x59616d61, "PR_SET_PTRACER"},
}

var fcntlCmds = []named{
	{0, "F_DUPFD"}, {1, "F_GETFD"}, {2, "F_SETFD"}, {3, "F_GETFL"}, {4, "F_SETFL"},
	{5, "F_GETLK"}, {6, "F_SETLK"}, {7, "F_SETLKW"}, {8, "F_SETOWN"}, {9, "F_GETOWN"},
	{10, "F_SETSIG"}, {11, "F_GETSIG"}, {15, "F_SETOWN_EX"}, {16, "F_GETOWN_EX"},
	{17, "F_GETOWNER_UIDS"}, {36, "F_OFD_GETLK"}, {37, "F_OFD_SETLK"}, {38, "F_OFD_SETLKW"},
	{1024, "F_SETLEASE"}, {1025, "F_GETLEASE"}, {1026, "F_NOTIFY"}, {1027, "F_DUPFD_QUERY"},
	{1028, "F_CREATED_QUERY"}, {1030, "F_DUPFD_CLOEXEC"}, {1031, "F_SETPIPE_SZ"},
	{1032, "F_GETPIPE_SZ"}, {1033, "F_ADD_SEALS"}, {1034, "F_GET_SEALS"},
	{1035, "F_GET_RW_HINT"}, {1036, "F_SET_RW_HINT"}, {1037, "F_GET_FILE_RW_HINT"},
	{1038, "F_SET_FILE_RW_HINT"},
}

// capabilities is indexed by CAP_* value.
var capabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

// memProtAlerts is indexed by alert value (abi.yaml: mem_prot_alerts).
var memProtAlerts = abi.MemProtAlertTexts

// FamilyName names an address family ("AF_INET"; "AF_<n>" when unknown).
func FamilyName(family uint16) string {
	if int(family) < len(addressFamilies) {
		return addressFamilies[family]
	}
	return fmt.Sprintf("AF_%d", family)
}
