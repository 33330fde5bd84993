package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/chromedp/chromedp"
)

// errNoChrome means no Chrome or Chromium is installed where we look: the
// check shows that as a skip, not as a failure of the learner's code.
var errNoChrome = errors.New("no Chrome or Chromium found (set LAB_CHROME)")

// findChrome returns the browser to run: LAB_CHROME when set, else the first
// Chrome or Chromium on the PATH or where the operating system installs it.
func findChrome() (string, error) {
	if p := os.Getenv("LAB_CHROME"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("LAB_CHROME=%s is not a program this machine can run: %w", p, err)
		}
		return found, nil
	}
	for _, name := range chromeNames(runtime.GOOS) {
		if found, err := exec.LookPath(name); err == nil {
			return found, nil
		}
	}
	return "", errNoChrome
}

// chromeNames lists where each system keeps Chrome, first the names a
// package manager puts on the PATH.
func chromeNames(goos string) []string {
	switch goos {
	case "darwin":
		return []string{"chromium", "google-chrome",
			"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
			"/Applications/Chromium.app/Contents/MacOS/Chromium"}
	case "windows":
		local := filepath.Join(os.Getenv("LOCALAPPDATA"), `Google\Chrome\Application\chrome.exe`)
		return []string{"chrome.exe", `C:\Program Files\Google\Chrome\Application\chrome.exe`,
			`C:\Program Files (x86)\Google\Chrome\Application\chrome.exe`, local}
	}
	return []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
}

// chromeOptions starts Chrome headless in a fresh profile (chromedp makes a
// temporary user-data-dir and removes it), quiet on the network but for the
// page, and trusting the one server key that pin names, if any.
func chromeOptions(path, pin string) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(1280, 900),
		// Chrome's sandbox refuses to start as root (in a container, say);
		// as anyone else it stays on.
		chromedp.Flag("no-sandbox", os.Geteuid() == 0),
	}
	if pin != "" {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors-spki-list", pin))
	}
	return opts
}
