//! Simulated controllers that run inside a simulated cluster and write through the same API
//! server rules as any client (status only through the status subresource).

pub mod deployments;
