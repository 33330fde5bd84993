package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// connectJSON replaces Connect's JSON codec with one whose spacing is fixed:
// protojson varies it between builds on purpose, and compacting it gives the
// same bytes every time, which people can read and transcripts can show.
// Fields left at zero are left out, as Connect's own codec does.
type connectJSON struct{}

func (connectJSON) Name() string { return "json" }

func (connectJSON) Marshal(v any) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("connect json: %T is not a protobuf message", v)
	}
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Unmarshal ignores unknown fields, so that a newer page still works with
// an older gateway, and keeps only the start of a decoding error.
func (connectJSON) Unmarshal(data []byte, v any) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("connect json: %T is not a protobuf message", v)
	}
	return shortDecodeError(protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, m))
}

// shortDecodeError keeps only the start of protojson's message, which quotes
// the offending value whatever its size: enough to name the field, never
// the caller's whole value.
func shortDecodeError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if len(msg) <= maxDecodeError {
		return err
	}
	return errors.New(strings.ToValidUTF8(msg[:maxDecodeError], "") + "...")
}
