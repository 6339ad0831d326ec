#include "service/server/model_file_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace dtb::service {

namespace {

namespace pb = google::protobuf;
using FieldDescriptor = pb::FieldDescriptor;

void append_string(std::string& out, const std::string& text)
{
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
            out += escaped;
        } else {
            out += c;
        }
    }
    out += '"';
}

void append_double(std::string& out, double value)
{
    if (std::isnan(value)) {
        out += ".nan";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? ".inf" : "-.inf";
        return;
    }
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    if (result.ec != std::errc())
        throw std::runtime_error("cannot format a double");
    out.append(buffer, result.ptr);
}

void append_message(std::string& out, const pb::Message& message, int indent);

void append_value(std::string& out, const pb::Message& message, const FieldDescriptor& field, int index, int indent)
{
    const pb::Reflection& reflection = *message.GetReflection();
    const bool repeated = field.is_repeated();
    switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
        out += std::to_string(repeated ? reflection.GetRepeatedInt32(message, &field, index)
                                       : reflection.GetInt32(message, &field));
        break;
    case FieldDescriptor::CPPTYPE_INT64:
        out += std::to_string(repeated ? reflection.GetRepeatedInt64(message, &field, index)
                                       : reflection.GetInt64(message, &field));
        break;
    case FieldDescriptor::CPPTYPE_UINT32:
        out += std::to_string(repeated ? reflection.GetRepeatedUInt32(message, &field, index)
                                       : reflection.GetUInt32(message, &field));
        break;
    case FieldDescriptor::CPPTYPE_UINT64:
        out += std::to_string(repeated ? reflection.GetRepeatedUInt64(message, &field, index)
                                       : reflection.GetUInt64(message, &field));
        break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
        append_double(out, repeated ? reflection.GetRepeatedDouble(message, &field, index)
                                    : reflection.GetDouble(message, &field));
        break;
    case FieldDescriptor::CPPTYPE_FLOAT:
        append_double(out, repeated ? reflection.GetRepeatedFloat(message, &field, index)
                                    : reflection.GetFloat(message, &field));
        break;
    case FieldDescriptor::CPPTYPE_BOOL:
        out += (repeated ? reflection.GetRepeatedBool(message, &field, index) : reflection.GetBool(message, &field))
            ? "true"
            : "false";
        break;
    case FieldDescriptor::CPPTYPE_ENUM:
        append_string(out, (repeated ? reflection.GetRepeatedEnum(message, &field, index)
                                     : reflection.GetEnum(message, &field))
                               ->name());
        break;
    case FieldDescriptor::CPPTYPE_STRING:
        append_string(out, repeated ? reflection.GetRepeatedString(message, &field, index)
                                    : reflection.GetString(message, &field));
        break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
        append_message(out,
            repeated ? reflection.GetRepeatedMessage(message, &field, index) : reflection.GetMessage(message, &field),
            indent);
        break;
    }
}

void append_message(std::string& out, const pb::Message& message, int indent)
{
    std::vector<const FieldDescriptor*> fields;
    message.GetReflection()->ListFields(message, &fields);
    if (fields.empty()) {
        out += "{}";
        return;
    }
    const std::string inner(static_cast<std::size_t>(indent + 2), ' ');
    out += "{\n";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const FieldDescriptor& field = *fields[i];
        if (field.is_map())
            throw std::runtime_error("model_file_text: map field " + field.full_name() + " is not supported");
        out += inner;
        append_string(out, field.name());
        out += ": ";
        if (field.is_repeated()) {
            const int size = message.GetReflection()->FieldSize(message, &field);
            out += "[";
            for (int index = 0; index < size; ++index) {
                if (index)
                    out += ", ";
                append_value(out, message, field, index, indent + 2);
            }
            out += "]";
        } else {
            append_value(out, message, field, -1, indent + 2);
        }
        out += i + 1 < fields.size() ? ",\n" : "\n";
    }
    out += std::string(static_cast<std::size_t>(indent), ' ') + "}";
}

} // namespace

std::string model_file_text(const google::protobuf::Message& message)
{
    std::string out = "# Written by dtb-server from the submitted " + message.GetDescriptor()->full_name()
        + " message.\n";
    append_message(out, message, 0);
    out += "\n";
    return out;
}

} // namespace dtb::service
