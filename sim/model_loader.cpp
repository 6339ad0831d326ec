// Strict model-file loading: a YAML (or JSON) tree is walked against the
// protobuf descriptor of dtb.sim.v1.Model, so the schema in model.proto is
// the only list of keys and types. Anything the schema does not describe is
// an error naming the file, the field path and the line in the file.
#include "sim/model_loader.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <regex>
#include <set>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include "sim/model_validation.hpp"

namespace dtb::sim {

namespace {

namespace pb = google::protobuf;
using FieldDescriptor = pb::FieldDescriptor;

// What a YAML node is, in the words an error message uses.
enum class ScalarKind { Null, Boolean, Number, String };

std::string location_suffix(const YAML::Node& node)
{
    const YAML::Mark mark = node.Mark();
    if (mark.is_null() || mark.line < 0)
        return "";
    return " (line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1)
        + ")";
}

// YAML 1.2 core-schema floats, written the way JSON and YAML users write
// numbers; deliberately narrower than strtod (no hex, no bare "nan"/"inf",
// which YAML reads as strings).
bool is_decimal_number(const std::string& text)
{
    static const std::regex pattern(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
    return std::regex_match(text, pattern);
}

bool is_special_float(const std::string& text)
{
    static const std::regex pattern(R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
    return std::regex_match(text, pattern);
}

bool is_boolean_text(const std::string& text)
{
    return text == "true" || text == "True" || text == "TRUE" || text == "false" || text == "False"
        || text == "FALSE";
}

// Quoted and block scalars carry the non-specific tag "!" (yaml-cpp), so
// `"5"` is a string while `5` is a number, as in JSON.
bool is_quoted(const YAML::Node& node)
{
    return node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str";
}

ScalarKind scalar_kind(const YAML::Node& node)
{
    if (node.IsNull())
        return ScalarKind::Null;
    if (is_quoted(node))
        return ScalarKind::String;
    const std::string& text = node.Scalar();
    if (is_boolean_text(text))
        return ScalarKind::Boolean;
    if (is_decimal_number(text) || is_special_float(text))
        return ScalarKind::Number;
    return ScalarKind::String;
}

std::string quote(const std::string& text)
{
    constexpr std::size_t max_shown = 60;
    if (text.size() > max_shown)
        return "'" + text.substr(0, max_shown) + "...'";
    return "'" + text + "'";
}

// "got ..." part of a type error: what the user actually wrote.
std::string describe(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a mapping";
    case YAML::NodeType::Null:
        return "an empty value (null)";
    case YAML::NodeType::Scalar:
        switch (scalar_kind(node)) {
        case ScalarKind::Boolean:
            return "boolean " + node.Scalar();
        case ScalarKind::Number:
            return "number " + node.Scalar();
        default:
            return "string " + quote(node.Scalar());
        }
    default:
        return "nothing";
    }
}

// The expected-type word for a scalar field, used in messages.
std::string expected_word(const FieldDescriptor& field)
{
    switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
        return "a number";
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
        return "a non-negative integer";
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
        return "an integer";
    case FieldDescriptor::CPPTYPE_BOOL:
        return "a boolean (true or false)";
    case FieldDescriptor::CPPTYPE_STRING:
        return "a string";
    case FieldDescriptor::CPPTYPE_ENUM:
        return "one of the names of " + field.enum_type()->name();
    case FieldDescriptor::CPPTYPE_MESSAGE:
        return "a mapping";
    }
    return "a value";
}

// An integer written as a decimal integer or as an integer-valued number
// (`1e5`, `100.0`): sign and magnitude, so both int64 and uint64 ranges can
// be checked without overflow.
struct IntegerValue {
    bool negative = false;
    std::uint64_t magnitude = 0;
};

// Reflection's writers for one value of each scalar type: the Set* ones for a
// singular field or the Add* (append) ones for a repeated field. Both kinds of
// field read their YAML values the same way (TreeWalker::write_scalar).
template <typename T>
using ScalarWriter = void (pb::Reflection::*)(pb::Message*, const FieldDescriptor*, T) const;
struct ScalarWriters {
    ScalarWriter<double> write_double;
    ScalarWriter<float> write_float;
    ScalarWriter<std::uint64_t> write_uint64;
    ScalarWriter<std::uint32_t> write_uint32;
    ScalarWriter<std::int64_t> write_int64;
    ScalarWriter<std::int32_t> write_int32;
    ScalarWriter<bool> write_bool;
    ScalarWriter<std::string> write_string;
    ScalarWriter<int> write_enum_value;
};
const ScalarWriters SET_SINGULAR = { &pb::Reflection::SetDouble, &pb::Reflection::SetFloat,
    &pb::Reflection::SetUInt64, &pb::Reflection::SetUInt32, &pb::Reflection::SetInt64,
    &pb::Reflection::SetInt32, &pb::Reflection::SetBool, &pb::Reflection::SetString,
    &pb::Reflection::SetEnumValue };
const ScalarWriters ADD_REPEATED = { &pb::Reflection::AddDouble, &pb::Reflection::AddFloat,
    &pb::Reflection::AddUInt64, &pb::Reflection::AddUInt32, &pb::Reflection::AddInt64,
    &pb::Reflection::AddInt32, &pb::Reflection::AddBool, &pb::Reflection::AddString,
    &pb::Reflection::AddEnumValue };

class TreeWalker {
public:
    explicit TreeWalker(std::string source_name)
        : source_name_(std::move(source_name))
    {
    }

    void fill_message(const YAML::Node& node, pb::Message& message, const std::string& path)
    {
        // An empty value for a message means "present, all defaults", so
        // `iaf_psc_exp:` selects the model with its default parameters.
        if (node.IsNull())
            return;
        if (!node.IsMap())
            fail(node, path, "expected a mapping, got " + describe(node));
        const pb::Descriptor& descriptor = *message.GetDescriptor();
        const pb::Reflection& reflection = *message.GetReflection();
        std::set<std::string> seen_keys;
        for (auto it = node.begin(); it != node.end(); ++it) {
            const YAML::Node key_node = it->first;
            if (!key_node.IsScalar())
                fail(key_node, path, "a key must be a field name, got " + describe(key_node));
            const std::string& key = key_node.Scalar();
            const std::string field_path = path.empty() ? key : path + "." + key;
            if (!seen_keys.insert(key).second)
                fail(key_node, field_path, "duplicate key '" + key + "'");
            const FieldDescriptor* field = descriptor.FindFieldByName(key);
            if (field == nullptr)
                fail(key_node, field_path,
                    "unknown field '" + key + "'; allowed: " + field_names(descriptor));
            if (const pb::OneofDescriptor* oneof = field->real_containing_oneof()) {
                if (reflection.HasOneof(message, oneof)) {
                    const FieldDescriptor* other = reflection.GetOneofFieldDescriptor(message, oneof);
                    fail(key_node, field_path,
                        "'" + key + "' and '" + other->name() + "' are alternatives (" + oneof->name()
                            + "); set only one of: " + oneof_field_names(*oneof));
                }
            }
            fill_field(it->second, message, *field, field_path);
        }
    }

private:
    [[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& message)
    {
        throw ModelError(source_name_, path, message + location_suffix(node));
    }

    static std::string field_names(const pb::Descriptor& descriptor)
    {
        std::string names;
        for (int i = 0; i < descriptor.field_count(); ++i)
            names += (i ? ", " : "") + descriptor.field(i)->name();
        return names;
    }

    static std::string oneof_field_names(const pb::OneofDescriptor& oneof)
    {
        std::string names;
        for (int i = 0; i < oneof.field_count(); ++i)
            names += (i ? ", " : "") + oneof.field(i)->name();
        return names;
    }

    void fill_field(const YAML::Node& node, pb::Message& message, const FieldDescriptor& field,
        const std::string& path)
    {
        if (field.is_map())
            throw std::logic_error("model_loader: map field " + field.full_name() + " is not supported");
        if (!field.is_repeated()) {
            set_singular(node, message, field, path);
            return;
        }
        // An empty value for a list means an empty list (`inputs:`).
        if (node.IsNull())
            return;
        if (!node.IsSequence())
            fail(node, path, "expected a list, got " + describe(node));
        std::size_t index = 0;
        for (const YAML::Node& element : node) {
            add_repeated(element, message, field, path + "[" + std::to_string(index) + "]");
            ++index;
        }
    }

    void set_singular(const YAML::Node& node, pb::Message& message, const FieldDescriptor& field,
        const std::string& path)
    {
        const pb::Reflection& reflection = *message.GetReflection();
        if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
            pb::Message& child = *reflection.MutableMessage(&message, &field);
            if (is_distribution(field) && node.IsScalar()) {
                set_distribution_shorthand(node, child, path);
                return;
            }
            if (is_distribution(field) && !node.IsMap() && !node.IsNull())
                fail(node, path, "expected a number or a mapping (a distribution), got " + describe(node));
            fill_message(node, child, path);
            return;
        }
        write_scalar(node, message, field, path, SET_SINGULAR);
    }

    void add_repeated(const YAML::Node& node, pb::Message& message, const FieldDescriptor& field,
        const std::string& path)
    {
        const pb::Reflection& reflection = *message.GetReflection();
        if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
            pb::Message& child = *reflection.AddMessage(&message, &field);
            if (is_distribution(field) && node.IsScalar()) {
                set_distribution_shorthand(node, child, path);
                return;
            }
            // A list element must be written out, even if only as `{}`.
            if (!node.IsMap())
                fail(node, path, "expected a mapping, got " + describe(node));
            fill_message(node, child, path);
            return;
        }
        write_scalar(node, message, field, path, ADD_REPEATED);
    }

    // Reads a scalar field's value from `node` and stores it with `writers`.
    void write_scalar(const YAML::Node& node, pb::Message& message, const FieldDescriptor& field,
        const std::string& path, const ScalarWriters& writers)
    {
        const pb::Reflection& reflection = *message.GetReflection();
        switch (field.cpp_type()) {
        case FieldDescriptor::CPPTYPE_DOUBLE:
            (reflection.*writers.write_double)(&message, &field, read_double(node, field, path));
            break;
        case FieldDescriptor::CPPTYPE_FLOAT:
            (reflection.*writers.write_float)(
                &message, &field, static_cast<float>(read_double(node, field, path)));
            break;
        case FieldDescriptor::CPPTYPE_UINT64:
            (reflection.*writers.write_uint64)(
                &message, &field, read_unsigned(node, field, path, UINT64_MAX));
            break;
        case FieldDescriptor::CPPTYPE_UINT32:
            (reflection.*writers.write_uint32)(&message, &field,
                static_cast<std::uint32_t>(read_unsigned(node, field, path, UINT32_MAX)));
            break;
        case FieldDescriptor::CPPTYPE_INT64:
            (reflection.*writers.write_int64)(
                &message, &field, read_signed(node, field, path, INT64_MIN, INT64_MAX));
            break;
        case FieldDescriptor::CPPTYPE_INT32:
            (reflection.*writers.write_int32)(&message, &field,
                static_cast<std::int32_t>(read_signed(node, field, path, INT32_MIN, INT32_MAX)));
            break;
        case FieldDescriptor::CPPTYPE_BOOL:
            (reflection.*writers.write_bool)(&message, &field, read_bool(node, field, path));
            break;
        case FieldDescriptor::CPPTYPE_STRING:
            (reflection.*writers.write_string)(&message, &field, read_string(node, field, path));
            break;
        case FieldDescriptor::CPPTYPE_ENUM:
            (reflection.*writers.write_enum_value)(&message, &field, read_enum(node, field, path));
            break;
        case FieldDescriptor::CPPTYPE_MESSAGE: // set_singular and add_repeated handle messages
            break;
        }
    }

    static bool is_distribution(const FieldDescriptor& field)
    {
        return field.message_type() == v1::Distribution::descriptor();
    }

    // `weight: 5` is `weight: {kind: constant, value: 5}`.
    void set_distribution_shorthand(const YAML::Node& node, pb::Message& child, const std::string& path)
    {
        if (scalar_kind(node) != ScalarKind::Number)
            fail(node, path, "expected a number or a mapping (a distribution), got " + describe(node));
        auto& distribution = static_cast<v1::Distribution&>(child);
        distribution.set_kind("constant");
        distribution.set_value(parse_number(node, path));
    }

    double parse_number(const YAML::Node& node, const std::string& path)
    {
        std::string text = node.Scalar();
        if (is_special_float(text)) {
            if (text.find("nan") != std::string::npos || text.find("NaN") != std::string::npos
                || text.find("NAN") != std::string::npos)
                return std::numeric_limits<double>::quiet_NaN();
            return text[0] == '-' ? -std::numeric_limits<double>::infinity()
                                  : std::numeric_limits<double>::infinity();
        }
        // from_chars is locale-independent but rejects a leading '+'.
        if (!text.empty() && text[0] == '+')
            text.erase(0, 1);
        double value = 0.0;
        const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
        if (result.ec == std::errc::result_out_of_range)
            fail(node, path, "number " + node.Scalar() + " is out of the range of a double");
        if (result.ec != std::errc() || result.ptr != text.data() + text.size())
            fail(node, path, "expected a number, got " + describe(node));
        return value;
    }

    double read_double(const YAML::Node& node, const FieldDescriptor& field, const std::string& path)
    {
        if (!node.IsScalar() || scalar_kind(node) != ScalarKind::Number)
            fail(node, path, "expected " + expected_word(field) + ", got " + describe(node));
        return parse_number(node, path);
    }

    IntegerValue read_integer(const YAML::Node& node, const FieldDescriptor& field, const std::string& path,
        const std::string& range_text)
    {
        if (!node.IsScalar() || scalar_kind(node) != ScalarKind::Number)
            fail(node, path, "expected " + expected_word(field) + ", got " + describe(node));
        const std::string& text = node.Scalar();
        const std::string must = "must be " + range_text + ", got " + text;
        const std::string too_large = "number " + text + " is too large for an integer field";
        IntegerValue out;
        static const std::regex decimal_integer(R"([-+]?[0-9]+)");
        if (std::regex_match(text, decimal_integer)) {
            // Exact: large sizes and seeds must not pass through a double.
            out.negative = text[0] == '-';
            const std::size_t digits = (text[0] == '-' || text[0] == '+') ? 1 : 0;
            const auto result
                = std::from_chars(text.data() + digits, text.data() + text.size(), out.magnitude);
            if (result.ec != std::errc())
                fail(node, path, too_large);
            if (out.magnitude == 0)
                out.negative = false;
            return out;
        }
        const double value = parse_number(node, path);
        // 2^64 is exactly representable; anything at or above it is out of range.
        if (!std::isfinite(value) || value != std::floor(value))
            fail(node, path, must);
        if (std::fabs(value) >= 18446744073709551616.0)
            fail(node, path, too_large);
        out.negative = value < 0;
        out.magnitude = static_cast<std::uint64_t>(std::fabs(value));
        return out;
    }

    std::uint64_t read_unsigned(const YAML::Node& node, const FieldDescriptor& field, const std::string& path,
        std::uint64_t max_value)
    {
        const std::string range = max_value == UINT64_MAX
            ? "a non-negative integer"
            : "a non-negative integer at most " + std::to_string(max_value);
        const IntegerValue value = read_integer(node, field, path, range);
        if (value.negative || value.magnitude > max_value)
            fail(node, path, "must be " + range + ", got " + node.Scalar());
        return value.magnitude;
    }

    std::int64_t read_signed(const YAML::Node& node, const FieldDescriptor& field, const std::string& path,
        std::int64_t min_value, std::int64_t max_value)
    {
        const std::string range
            = "an integer in [" + std::to_string(min_value) + ", " + std::to_string(max_value) + "]";
        const IntegerValue value = read_integer(node, field, path, range);
        const std::uint64_t limit = value.negative ? static_cast<std::uint64_t>(-(min_value + 1)) + 1
                                                   : static_cast<std::uint64_t>(max_value);
        if (value.magnitude > limit)
            fail(node, path, "must be " + range + ", got " + node.Scalar());
        if (!value.negative)
            return static_cast<std::int64_t>(value.magnitude);
        // Negating in unsigned arithmetic keeps INT64_MIN representable.
        return static_cast<std::int64_t>(~value.magnitude + 1);
    }

    bool read_bool(const YAML::Node& node, const FieldDescriptor& field, const std::string& path)
    {
        if (!node.IsScalar() || scalar_kind(node) != ScalarKind::Boolean)
            fail(node, path, "expected " + expected_word(field) + ", got " + describe(node));
        const char first = node.Scalar()[0];
        return first == 't' || first == 'T';
    }

    std::string read_string(const YAML::Node& node, const FieldDescriptor& field, const std::string& path)
    {
        if (!node.IsScalar())
            fail(node, path, "expected " + expected_word(field) + ", got " + describe(node));
        const ScalarKind kind = scalar_kind(node);
        // YAML would silently turn `name: 1` or `receptor: true` into text;
        // asking for quotes keeps JSON and YAML files meaning the same.
        if (kind == ScalarKind::Number || kind == ScalarKind::Boolean)
            fail(node, path,
                "expected a string, got " + describe(node) + " (write \"" + node.Scalar()
                    + "\" in quotes if it is meant as text)");
        return node.Scalar();
    }

    int read_enum(const YAML::Node& node, const FieldDescriptor& field, const std::string& path)
    {
        const pb::EnumDescriptor& type = *field.enum_type();
        if (node.IsScalar() && scalar_kind(node) == ScalarKind::String) {
            if (const pb::EnumValueDescriptor* value = type.FindValueByName(node.Scalar()))
                return value->number();
        }
        std::string names;
        for (int i = 0; i < type.value_count(); ++i)
            names += (i ? ", " : "") + type.value(i)->name();
        fail(node, path, "expected one of " + names + ", got " + describe(node));
    }

    std::string source_name_;
};

std::string read_file_text(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw ModelError(path, "", std::string("cannot open model file: ") + std::strerror(errno));
    std::string text;
    char buffer[65536];
    while (true) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            // Reading a directory fails here with EISDIR.
            const int error = errno;
            ::close(fd);
            throw ModelError(path, "", std::string("cannot read model file: ") + std::strerror(error));
        }
        if (got == 0)
            break;
        text.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return text;
}

} // namespace

namespace {

// The one top-level mapping of a YAML/JSON text, or a ModelError. `kind`
// names the file in messages ("model file"), `fields` what the mapping holds.
YAML::Node single_mapping(
    const std::string& text, const std::string& source_name, const std::string& kind, const std::string& fields)
{
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& error) {
        std::string where;
        if (!error.mark.is_null())
            where = " (line " + std::to_string(error.mark.line + 1) + ", column "
                + std::to_string(error.mark.column + 1) + ")";
        throw ModelError(source_name, "", "YAML syntax error: " + error.msg + where);
    }
    if (documents.empty() || (documents.size() == 1 && documents[0].IsNull()))
        throw ModelError(source_name, "", "the " + kind + " is empty");
    if (documents.size() > 1)
        throw ModelError(source_name, "",
            "the file holds " + std::to_string(documents.size()) + " YAML documents (separated by ---); "
                + (kind == "model file" ? std::string("a model file holds") : std::string("it must hold"))
                + " exactly one");
    const YAML::Node& root = documents[0];
    if (!root.IsMap())
        throw ModelError(source_name, "",
            "expected a mapping of " + fields + " fields at the top level, got " + describe(root)
                + location_suffix(root));
    return root;
}

} // namespace

v1::Model parse_model_text(const std::string& text, const std::string& source_name)
{
    v1::Model model;
    TreeWalker(source_name).fill_message(single_mapping(text, source_name, "model file", "model"), model, "");
    return model;
}

void parse_yaml_message(const std::string& text, const std::string& source_name, pb::Message& out)
{
    const YAML::Node root = single_mapping(text, source_name, "file", out.GetDescriptor()->name());
    out.Clear();
    TreeWalker(source_name).fill_message(root, out, "");
}

v1::Model load_model_file(const std::string& path)
{
    v1::Model model = parse_model_text(read_file_text(path), path);
    apply_model_defaults(model, path);
    validate_model(model, path);
    return model;
}

} // namespace dtb::sim
