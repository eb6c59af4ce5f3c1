/// The options that take a value: `--broker mock|tansu` and `--worker-env NAME=VALUE` (again
/// for each setting). What is left are scenario names.
struct ChaosOptions {
    var broker: BrokerKind = .mock
    var workerEnvironment: [String: String] = [:]

    init(taking arguments: inout [String]) throws {
        var rest: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            guard argument == "--broker" || argument == "--worker-env" else {
                rest.append(argument)
                index += 1
                continue
            }
            guard index + 1 < arguments.endIndex else { throw OptionError("\(argument) needs a value") }
            let value = arguments[index + 1]
            if argument == "--broker" {
                guard let broker = BrokerKind(rawValue: value) else {
                    throw OptionError("--broker takes mock or tansu, not \(value)")
                }
                self.broker = broker
            } else {
                guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                    throw OptionError("--worker-env takes NAME=VALUE, not \(value)")
                }
                workerEnvironment[String(value[..<equals])] = String(value[value.index(after: equals)...])
            }
            index += 2
        }
        arguments = rest
    }

    struct OptionError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
