package inbox

import (
	"fmt"
	"strings"
	"time"
)

// Percent formats a share, "–" when there is nothing to divide.
func Percent(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", float64(a)*100/float64(b))
}

// ShortDuration formats response times compactly: 12m, 3.5h, 2.1d.
func ShortDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1fh", d.Hours())
	}
	return fmt.Sprintf("%.1fd", d.Hours()/24)
}

// Sparkline draws values as block heights, summed into at most width
// columns so a year of days fits a line.
func Sparkline(vals []int, width int) string {
	if width > 0 && len(vals) > width {
		per := (len(vals) + width - 1) / width
		var sums []int
		for i := 0; i < len(vals); i += per {
			t := 0
			for _, v := range vals[i:min(i+per, len(vals))] {
				t += v
			}
			sums = append(sums, t)
		}
		vals = sums
	}
	blocks := []rune("▁▂▃▄▅▆▇█")
	mx := 1
	for _, v := range vals {
		mx = max(mx, v)
	}
	var b strings.Builder
	for _, v := range vals {
		b.WriteRune(blocks[v*(len(blocks)-1)/mx])
	}
	return b.String()
}
