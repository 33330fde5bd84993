//go:build windows

package harness

import (
	"os"
	"os/exec"
	"syscall"
)

// Windows delivers no signal to a child process, but a console control
// event does the same work: a Go program receives CTRL_BREAK_EVENT as
// os.Interrupt, as it does Ctrl+C. The event reaches a whole process group,
// so each program the check starts gets a group of its own.

var generateConsoleCtrlEvent = syscall.NewLazyDLL("kernel32.dll").NewProc("GenerateConsoleCtrlEvent")

// ownGroup makes cmd the leader of a new process group, so that an
// interrupt sent to it reaches it alone.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// interrupt asks p to stop as Ctrl+C would, with CTRL_BREAK_EVENT.
func interrupt(p *os.Process) error {
	if ok, _, err := generateConsoleCtrlEvent.Call(syscall.CTRL_BREAK_EVENT, uintptr(p.Pid)); ok == 0 {
		return err
	}
	return nil
}
