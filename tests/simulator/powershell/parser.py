"""Recursive-descent parser for the PowerShell subset of the remote command contract (section 2).

Anything outside the subset raises a ParseError saying it is not supported, so a script is either understood
completely or rejected before anything runs, as PowerShell does with a parse error.
"""

from __future__ import annotations

import re

from .errors import ParseError, unsupported
from .lexer import (
    DASHES, DOUBLE_QUOTES, NEWLINES, SINGLE_QUOTES, is_blank, is_name_char, scan_bareword, scan_double_quoted,
    scan_script_block, scan_single_quoted,
)
from .syntax import (
    Argument, ArrayLiteral, Command, Condition, Constant, ExitCodeComparison, ExitStatement, ExpressionElement,
    Extent, IfStatement, LastExitCode, Parameter, Pipeline, ScriptBlock, Statement, SuccessCondition,
    TestPathCondition, Value, HashCondition,
)

UNSUPPORTED_KEYWORDS = frozenset({
    "begin", "break", "catch", "class", "configuration", "continue", "data", "define", "do", "dynamicparam",
    "elseif", "else", "end", "enum", "filter", "finally", "for", "foreach", "from", "function", "hidden", "in",
    "inlinescript", "parallel", "param", "process", "return", "sequence", "static", "switch", "throw", "trap",
    "try", "until", "using", "var", "while", "workflow",
})
AUTOMATIC_CONSTANTS = {"true": True, "false": False, "null": None}
# Numbers PowerShell would read with a meaning other than their text (hex, exponent, decimals, kb/mb suffixes).
PS_NUMBER = re.compile(
    r"[+-]?(0x[0-9a-f]+|\d+(\.\d*)?(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)[dlu]?(kb|mb|gb|tb|pb)?", re.IGNORECASE)
DECIMAL_INT = re.compile(r"-?\d+")
# Where an argument may stop without another token glued to it.
ARGUMENT_BOUNDARY = frozenset(";|)},") | frozenset(NEWLINES)


def parse_script(text: str) -> list[Statement]:
    parser = _Parser(text)
    statements = parser.statement_list(closing=None)
    return statements


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # ---- low-level helpers -------------------------------------------------
    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def skip_blanks(self) -> None:
        while self.pos < len(self.text) and is_blank(self.text[self.pos]):
            self.pos += 1

    def skip_comment(self) -> None:
        if self.peek() == "#":
            while self.pos < len(self.text) and self.text[self.pos] not in NEWLINES:
                self.pos += 1
        if self.peek() == "<" and self.peek(1) == "#":
            raise unsupported(self.pos, "A block comment (<# … #>)", 2)

    def skip_blanks_and_comments(self) -> None:
        self.skip_blanks()
        self.skip_comment()

    def skip_newlines(self) -> None:
        while True:
            self.skip_blanks_and_comments()
            if self.peek() and self.peek() in NEWLINES:
                self.pos += 1
                continue
            return

    def word_at(self, pos: int) -> str:
        end = pos
        while end < len(self.text) and (is_name_char(self.text[end]) or self.text[end] == "-"):
            end += 1
        return self.text[pos:end]

    def unexpected(self) -> ParseError:
        end = scan_bareword(self.text, self.pos) if self.peek() not in "`$" else self.pos + 1
        token = self.text[self.pos:max(end, self.pos + 1)]
        return ParseError(self.pos, f"Unexpected token '{token}' in expression or statement.", "UnexpectedToken",
                          len(token))

    # ---- statements --------------------------------------------------------
    def statement_list(self, closing: str | None) -> list[Statement]:
        statements: list[Statement] = []
        while True:
            self.skip_blanks_and_comments()
            char = self.peek()
            if char == "":
                if closing is not None:
                    raise ParseError(self.pos, "Missing closing '}' in statement block or type definition.",
                                     "MissingEndCurlyBrace")
                return statements
            if char in NEWLINES or char == ";":
                self.pos += 1
                continue
            if char == "}":
                if closing == "}":
                    self.pos += 1
                    return statements
                raise ParseError(self.pos, "Unexpected token '}' in expression or statement.", "UnexpectedToken")
            statements.append(self.statement(closing))
            self.skip_blanks_and_comments()
            char = self.peek()
            if char and char not in NEWLINES and char not in ";" and not (char == "}" and closing == "}"):
                raise self.unexpected()

    def statement(self, closing: str | None) -> Statement:
        start = self.pos
        word = self.word_at(start).lower()
        after = self.text[start + len(word):start + len(word) + 1]
        at_boundary = after == "" or after.isspace() or after in ";(){}#"
        if word == "exit" and at_boundary:
            return self.exit_statement()
        if word == "if" and at_boundary:
            return self.if_statement()
        if word in UNSUPPORTED_KEYWORDS and at_boundary:
            raise unsupported(start, f"The '{word}' keyword", len(word))
        return self.pipeline(closing)

    def exit_statement(self) -> ExitStatement:
        start = self.pos
        self.pos += 4
        self.skip_blanks_and_comments()
        char = self.peek()
        code: int | LastExitCode | None = None
        if char == "$":
            value = self.variable()
            if not isinstance(value, LastExitCode):
                raise unsupported(start, "exit with a value other than an integer or $LASTEXITCODE")
            code = value
        elif char and (char.isdigit() or (char == "-" and self.peek(1).isdigit())):
            end = scan_bareword(self.text, self.pos)
            token = self.text[self.pos:end]
            if not DECIMAL_INT.fullmatch(token):
                raise unsupported(self.pos, f"exit with the value '{token}'", len(token))
            code = int(token)
            self.pos = end
        elif char and char not in NEWLINES and char not in ";}":
            raise unsupported(self.pos, "exit with a value other than an integer or $LASTEXITCODE")
        return ExitStatement(code, Extent(start, self.pos))

    def if_statement(self) -> IfStatement:
        start = self.pos
        self.pos += 2
        self.skip_blanks()
        if self.peek() != "(":
            raise ParseError(self.pos, "Missing '(' after 'if' in if statement.", "MissingOpenParenthesisInIfStatement")
        self.pos += 1
        self.skip_newlines()
        condition = self.condition()
        self.skip_newlines()
        if self.peek() != ")":
            raise ParseError(self.pos, "Missing closing ')' after expression in 'if' statement.",
                             "MissingEndParenthesisInIfStatement")
        self.pos += 1
        then_body = self.block("Missing statement block after if ( condition ).")
        else_body: list[Statement] = []
        resume = self.pos
        self.skip_newlines()
        word = self.word_at(self.pos).lower()
        if word == "else":
            self.pos += 4
            else_body = self.block("Missing statement block after 'else' keyword.")
        elif word == "elseif":
            raise unsupported(self.pos, "The 'elseif' keyword", 6)
        else:
            self.pos = resume
        return IfStatement(condition, then_body, else_body, Extent(start, self.pos))

    def block(self, missing_message: str) -> list[Statement]:
        self.skip_newlines()
        if self.peek() != "{":
            raise ParseError(self.pos, missing_message, "MissingStatementBlock")
        self.pos += 1
        return self.statement_list(closing="}")

    def condition(self) -> Condition:
        char = self.peek()
        if self.text.startswith("$?", self.pos):
            return self.success_condition(negate=False)
        if char == "$":
            start = self.pos
            if not isinstance(self.variable(), LastExitCode):
                raise unsupported(start, "A condition on a variable other than $LASTEXITCODE", self.pos - start)
            self.skip_blanks()
            operator_start = self.pos
            if not self.peek() or self.peek() not in DASHES:
                raise unsupported(self.pos, "This condition")
            operator = self.word_at(self.pos + 1).lower()
            if operator not in ("eq", "ne"):
                raise unsupported(operator_start, f"The operator '-{operator}'", len(operator) + 1)
            self.pos += 1 + len(operator)
            self.skip_blanks()
            end = scan_bareword(self.text, self.pos)
            token = self.text[self.pos:end]
            if not DECIMAL_INT.fullmatch(token):
                raise unsupported(self.pos, "Comparing $LASTEXITCODE with something other than an integer",
                                  max(1, len(token)))
            self.pos = end
            return ExitCodeComparison(operator, int(token))
        negate = False
        if char in DASHES:
            word = self.word_at(self.pos + 1).lower()
            if word != "not":
                raise unsupported(self.pos, "This condition")
            negate = True
            self.pos += 4
            self.skip_blanks()
            if self.text.startswith("$?", self.pos):
                return self.success_condition(negate=True)
        if self.peek() != "(":
            raise unsupported(self.pos, "A condition other than (Test-Path …) or $LASTEXITCODE -eq/-ne N")
        self.pos += 1
        self.skip_newlines()
        command_start = self.pos
        command = self.command(call_operator=False, closing=")")
        name = str(command.name.value).lower() if isinstance(command.name, Constant) else ""
        if name not in ("test-path", "get-filehash") or (name == "get-filehash" and negate):
            raise unsupported(command_start, "A condition command other than Test-Path or (Get-FileHash …).Hash",
                              command.name_extent.end - command_start)
        self.skip_newlines()
        if self.peek() == "|":
            raise unsupported(self.pos, "A pipeline inside a condition")
        if self.peek() != ")":
            raise ParseError(self.pos, "Missing closing ')' in expression.", "MissingEndParenthesisInExpression")
        self.pos += 1
        if name == "get-filehash":
            return self.hash_comparison(command)
        self.skip_blanks()
        return TestPathCondition(command, negate)

    def hash_comparison(self, command: Command) -> HashCondition:
        """The rest of `(Get-FileHash …).Hash -ceq|-cne 'HEX'` (case-sensitive: -eq/-ne ignore case)."""
        if self.text[self.pos:self.pos + 5].lower() != ".hash" or is_name_char(self.peek(5)):
            raise unsupported(self.pos, "A Get-FileHash condition other than (Get-FileHash …).Hash -ceq/-cne '…'")
        self.pos += 5
        self.skip_blanks()
        operator_start = self.pos
        operator = self.word_at(self.pos + 1).lower() if self.peek() and self.peek() in DASHES else ""
        if operator not in ("ceq", "cne"):
            raise unsupported(operator_start, "Comparing a hash with an operator other than -ceq or -cne")
        self.pos += 1 + len(operator)
        self.skip_blanks()
        if not self.peek() or self.peek() not in SINGLE_QUOTES:
            raise unsupported(self.pos, "Comparing a hash with something other than a single-quoted string")
        value = self.string()
        self.skip_blanks()
        return HashCondition(command, operator, str(value.value))

    def success_condition(self, negate: bool) -> SuccessCondition:
        self.pos += 2
        self.skip_blanks()
        return SuccessCondition(negate)

    # ---- pipelines and commands --------------------------------------------
    def pipeline(self, closing: str | None) -> Pipeline:
        start = self.pos
        elements: list[Command | ExpressionElement] = [self.pipeline_element(first=True, closing=closing)]
        while True:
            self.skip_blanks_and_comments()
            if self.peek() != "|":
                break
            pipe_position = self.pos
            self.pos += 1
            self.skip_newlines()
            if self.peek() in ("", "|", ";", "}", ")") or self.peek() in NEWLINES:
                raise ParseError(pipe_position, "An empty pipe element is not allowed.", "EmptyPipeElement")
            elements.append(self.pipeline_element(first=False, closing=closing))
        return Pipeline(elements, Extent(start, self.pos))

    def pipeline_element(self, first: bool, closing: str | None) -> Command | ExpressionElement:
        start = self.pos
        char = self.peek()
        if char == "&":
            self.pos += 1
            self.skip_blanks()
            return self.command(call_operator=True, closing=closing, start=start)
        if char in SINGLE_QUOTES or char in DOUBLE_QUOTES:
            if not first:
                raise ParseError(start, "Expressions are only allowed as the first element of a pipeline.",
                                 "ExpressionsMustBeFirstInPipeline")
            value = self.string()
            self.skip_blanks_and_comments()
            next_char = self.peek()
            if next_char and next_char not in NEWLINES and next_char not in ";|}":
                raise self.unexpected()
            return ExpressionElement(value, Extent(start, self.pos))
        if char == "$":
            raise unsupported(start, "A variable expression or assignment", scan_bareword_safe(self.text, start + 1) - start)
        if char == "(":
            raise unsupported(start, "A parenthesized expression")
        if char == "[":
            raise unsupported(start, "A type literal or method call", scan_bareword_safe(self.text, start) - start)
        if char == "@":
            raise unsupported(start, "An array or hash table expression")
        if char == "{":
            raise unsupported(start, "A script block expression")
        if char.isdigit() or char in DASHES or char in ",.!" and (self.peek(1) == "" or not self.peek(1).isalnum()):
            raise unsupported(start, "An expression statement")
        return self.command(call_operator=False, closing=closing)

    def command(self, call_operator: bool, closing: str | None, start: int | None = None) -> Command:
        start = self.pos if start is None else start
        name_start = self.pos
        char = self.peek()
        if char in SINGLE_QUOTES or char in DOUBLE_QUOTES:
            if not call_operator:
                raise self.unexpected()
            name: Value = self.string()
        elif char == "" or char in NEWLINES or char in ";|)}":
            raise ParseError(self.pos, "Missing expression after '&' in pipeline element.", "MissingExpression")
        elif char in "$({[@":
            raise unsupported(self.pos, "This command name")
        else:
            end = scan_bareword(self.text, self.pos)
            if end == self.pos:
                raise self.unexpected()
            name = Constant(self.text[self.pos:end])
            self.pos = end
        name_extent = Extent(name_start, self.pos)
        self.require_boundary()
        elements: list[Parameter | Argument] = []
        while True:
            self.skip_blanks_and_comments()
            char = self.peek()
            if char == "" or char in NEWLINES or char in ";|":
                break
            if char in ")}":
                if closing == char:
                    break
                raise ParseError(self.pos, f"Unexpected token '{char}' in expression or statement.",
                                 "UnexpectedToken")
            elements.append(self.command_element())
        end = elements[-1].extent.end if elements else name_extent.end
        return Command(name, elements, Extent(start, end), name_extent, call_operator)

    def require_boundary(self) -> None:
        char = self.peek()
        if char == "" or char.isspace() or char in ARGUMENT_BOUNDARY:
            return
        raise unsupported(self.pos, "Tokens written together without white space (such as 'a'b or x(y))")

    def command_element(self) -> Parameter | Argument:
        start = self.pos
        char = self.peek()
        if char in DASHES and (self.peek(1).isalpha() or self.peek(1) in "_?"):
            return self.parameter()
        if char == "{":
            body, self.pos = scan_script_block(self.text, self.pos)
            self.require_boundary()
            return Argument(ScriptBlock(body), Extent(start, self.pos))
        value = self.argument_value()
        return Argument(value, Extent(start, self.pos))

    def parameter(self) -> Parameter:
        start = self.pos
        end = self.pos + 1
        while end < len(self.text) and not self.text[end].isspace() and self.text[end] not in ":" + "".join(
                ARGUMENT_BOUNDARY) + "&(){}<>'\"" + SINGLE_QUOTES + DOUBLE_QUOTES:
            if self.text[end] in "`$":
                raise unsupported(end, "This parameter name")
            end += 1
        name = self.text[start + 1:end]
        self.pos = end
        argument: Value | None = None
        if self.peek() == ":":
            self.pos += 1
            self.skip_blanks()
            if self.peek() == "" or self.peek() in NEWLINES or self.peek() in ";|)}":
                raise ParseError(start, f"Missing an argument for parameter '{name}'.", "MissingArgument",
                                 self.pos - start)
            argument = self.argument_value()
        else:
            self.require_boundary()
        return Parameter(name, argument, Extent(start, self.pos), self.text[start:self.pos])

    def argument_value(self) -> Value:
        first = self.single_value()
        items = [first]
        while True:
            resume = self.pos
            self.skip_blanks()
            if self.peek() != ",":
                self.pos = resume
                break
            comma = self.pos
            self.pos += 1
            self.skip_newlines()
            if self.peek() == "" or self.peek() in ";|)}":
                raise ParseError(comma, "Missing expression after ','.", "MissingExpressionAfterToken")
            items.append(self.single_value())
        self.require_boundary()
        return first if len(items) == 1 else ArrayLiteral(tuple(items))

    def single_value(self) -> Value:
        start = self.pos
        char = self.peek()
        if char in SINGLE_QUOTES or char in DOUBLE_QUOTES:
            value = self.string()
        elif char == "$":
            value = self.variable()
        elif char == "&":
            raise ParseError(start, 'The ampersand (&) character is not allowed. The & operator is reserved for '
                             'future use; wrap an ampersand in double quotation marks ("&") to pass it as part of a '
                             'string.', "AmpersandNotAllowed")
        elif char in "(@":
            raise unsupported(start, "A subexpression or array expression argument")
        elif char == "{":
            raise unsupported(start, "A script block inside an array")
        elif char in "<>":
            raise unsupported(start, "Redirection")
        elif char == "`":
            raise unsupported(start, "A backtick outside a double-quoted string")
        elif char == ",":
            raise unsupported(start, "The unary comma operator")
        else:
            end = scan_bareword(self.text, self.pos)
            if end == self.pos:
                raise self.unexpected()
            token = self.text[self.pos:end]
            self.pos = end
            value = self.bareword_value(token, start)
        following = self.peek()
        if following and (following in SINGLE_QUOTES or following in DOUBLE_QUOTES or following in "$(`{<>&"):
            raise unsupported(self.pos, "Tokens written together without white space (such as 'a'b or x(y))")
        return value

    def bareword_value(self, token: str, start: int) -> Value:
        if token == "--%":
            raise unsupported(start, "The stop-parsing token --%", 3)
        if DECIMAL_INT.fullmatch(token):
            return Constant(int(token))
        if PS_NUMBER.fullmatch(token):
            raise unsupported(start, f"The numeric literal '{token}'", len(token))
        return Constant(token)

    def string(self) -> Value:
        if self.peek() in SINGLE_QUOTES:
            value, self.pos = scan_single_quoted(self.text, self.pos)
            return Constant(value, quoted=True)
        expandable, self.pos = scan_double_quoted(self.text, self.pos)
        if all(isinstance(part, str) for part in expandable.parts):
            return Constant("".join(expandable.parts), quoted=True)  # type: ignore[arg-type]
        return expandable

    def variable(self) -> Value:
        start = self.pos
        end = start + 1
        while end < len(self.text) and is_name_char(self.text[end]):
            end += 1
        name = self.text[start + 1:end]
        if end < len(self.text) and self.text[end] in ":.[":
            raise unsupported(start, "Scoped variables, members and indexing", end - start + 1)
        self.pos = end
        lowered = name.lower()
        if lowered == "lastexitcode":
            return LastExitCode()
        if lowered in AUTOMATIC_CONSTANTS:
            return Constant(AUTOMATIC_CONSTANTS[lowered])
        raise unsupported(start, f"The variable '${name}'", max(1, end - start))


def scan_bareword_safe(text: str, pos: int) -> int:
    end = pos
    while end < len(text) and not text[end].isspace() and text[end] not in ";|":
        end += 1
    return max(end, pos + 1)
