// Command gencsv writes the load benchmark's CSV: 12 columns, two of them
// identifiers with valid check characters (GB 11643 citizen ID numbers and
// GB 32100 credit codes), streaming, in constant memory.
//
//	go run ./bench/gencsv -rows 1000000 -out /tmp/b1m.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"

	"gongshu/internal/demo"
)

func main() {
	rows := flag.Int("rows", 1000000, "number of rows")
	out := flag.String("out", "bench.csv", "output file")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("公民身份号码,姓名,统一社会信用代码,单位名称,性别,出生日期,登记日期,地址,联系电话,月收入,参保月数,状态\n")
	codes := make([]string, 1000)
	for i := range codes {
		codes[i] = demo.USCC("91", "530100", i)
	}
	sex := []string{"女", "男"}
	state := []string{"正常", "暂停", "终止"}
	for i := 0; i < *rows; i++ {
		y, m, d := 1950+i%50, 1+i%12, 1+i%28
		id := demo.CitizenID("530102", fmt.Sprintf("%04d%02d%02d", y, m, d), i%1000)
		fmt.Fprintf(w, "%s,张%d,%s,昆明市单位%d有限公司,%s,%04d-%02d-%02d,2020-01-%02d,云南省昆明市五华区人民路%d号,138%08d,%d.%02d,%d,%s\n",
			id, i%100, codes[i%1000], i%1000, sex[i%2], y, m, d, 1+i%28, i, i%100000000, 3000+i%5000, i%100, i%300, state[i%3])
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
